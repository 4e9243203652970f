BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Approve-MSCommerceLicenseRequest' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            New-MSCommerceTestLicenseRequest -Id $PathParameter.requestId -Status 'Approved'
        }
    }

    It 'Should send an empty body without options, and return the approved request' {
        $result = Approve-MSCommerceLicenseRequest -RequestId 'q1' -Confirm:$false
        $result.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequest'
        $result.RequestId | Should -Be 'q1'
        $result.Status | Should -Be 'Approved'
        $result.SubscriptionId | Should -Be '33333333-3333-3333-3333-333333333333'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/licenseRequests/{requestId}/approve' -and
            $PathParameter.requestId -eq 'q1' -and @($Body.Keys).Count -eq 0 -and $TargetObject -eq 'q1'
        }
    }

    It 'Should send the central subscription, the users and the message when given' {
        $splatApprove = @{
            RequestId      = 'q1'
            SubscriptionId = 'c1'
            UserId         = @('r1')
            Message        = 'Approved for you.'
            Confirm        = $false
        }
        $null = Approve-MSCommerceLicenseRequest @splatApprove
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Body.subscriptionId -eq 'c1' -and (@($Body.userIds) -join ',') -eq 'r1' -and $Body.userIds -is [array] -and
            $Body.message -eq 'Approved for you.'
        }
    }

    It 'Should approve each piped request by its <Property> property' -ForEach @(
        @{ Property = 'RequestId' }
        @{ Property = 'Id' }
    ) {
        $piped = @('q1', 'q2') | ForEach-Object -Process { [pscustomobject]@{ $Property = $_ } }
        $result = @($piped | Approve-MSCommerceLicenseRequest -SubscriptionId 'c1' -Confirm:$false)
        $result.Count | Should -Be 2
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.requestId -eq 'q2' -and $Body.subscriptionId -eq 'c1' }
    }

    It 'Should approve the requests of Get-MSCommerceLicenseRequest piped into it, without taking their SubscriptionId' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/licenseRequests' } -MockWith {
            @(New-MSCommerceTestLicenseRequest -Id 'q1'; New-MSCommerceTestLicenseRequest -Id 'q2' -Status 'Approved')
        }
        $null = Get-MSCommerceLicenseRequest -Status All | Approve-MSCommerceLicenseRequest -Confirm:$false -ErrorAction SilentlyContinue
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/licenseRequests/{requestId}/approve' -and -not $Body.ContainsKey('subscriptionId')
        }
    }

    It 'Should send nothing with -WhatIf' {
        Approve-MSCommerceLicenseRequest -RequestId 'q1' -SubscriptionId 'c1' -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should refuse a message longer than 1000 characters, and more than 20 users, before any call' {
        { Approve-MSCommerceLicenseRequest -RequestId 'q1' -Message ('x' * 1001) -Confirm:$false } | Should -Throw
        { Approve-MSCommerceLicenseRequest -RequestId 'q1' -UserId (1..21 | ForEach-Object -Process { "u$_" }) -Confirm:$false } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should report <ErrorCode> as a non-terminating error of category <Category> and go on with the next request' -ForEach @(
        @{ ErrorCode = 'LicenseRequestAnswered'; Category = 'InvalidOperation' }
        @{ ErrorCode = 'NotEnoughLicenses'; Category = 'InvalidOperation' }
        @{ ErrorCode = 'NoCentralSubscription'; Category = 'InvalidOperation' }
        @{ ErrorCode = 'SubscriptionRequired'; Category = 'InvalidArgument' }
        @{ ErrorCode = 'LicenseRequestNotFound'; Category = 'ObjectNotFound' }
    ) {
        # The mock's body reads the case's values from the script scope, as the other tests' mocks do.
        $script:refusal = New-MSCommerceTestErrorRecord -ErrorCode $ErrorCode -Category $Category -TargetObject 'bad'
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.requestId -eq 'bad' } -MockWith {
            throw $script:refusal
        }
        $rows = @([pscustomobject]@{ RequestId = 'bad' }, [pscustomobject]@{ RequestId = 'q2' })
        $result = @($rows | Approve-MSCommerceLicenseRequest -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 1
        $result[0].RequestId | Should -Be 'q2'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorCode*"
        $failures[0].CategoryInfo.Category | Should -Be $Category
        $failures[0].TargetObject | Should -Be 'bad'
    }

    It 'Should stop at the first authentication failure' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'TokenExpired' -Category 'AuthenticationError' -Message 'Your credentials have expired.')
        }
        $rows = @([pscustomobject]@{ RequestId = 'q1' }, [pscustomobject]@{ RequestId = 'q2' })
        { $rows | Approve-MSCommerceLicenseRequest -Confirm:$false } | Should -Throw -ExpectedMessage 'Your credentials have expired.'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly
    }

    It 'Should have ConfirmImpact Medium, and bind -RequestId by property name with the alias Id' {
        $command = Get-Command -Name 'Approve-MSCommerceLicenseRequest' -Module 'MSCommerce'
        $binding = $command.ScriptBlock.Attributes | Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.ConfirmImpact | Should -Be 'Medium'
        $command.Parameters['RequestId'].Aliases | Should -Contain 'Id'
        $command.Parameters['RequestId'].ParameterSets['__AllParameterSets'].ValueFromPipelineByPropertyName | Should -BeTrue
        $command.Parameters['SubscriptionId'].ParameterSets['__AllParameterSets'].ValueFromPipelineByPropertyName | Should -BeFalse
    }
}
