BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'New-MSCommerceLicenseRequest' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { New-MSCommerceTestLicenseRequest }
    }

    It 'Should send the product alone to the caller''s requests and return the new request' {
        $result = New-MSCommerceLicenseRequest -ProductId 'CFQ7TTC0H9MP' -Confirm:$false
        $result.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequest'
        $result.Status | Should -Be 'Pending'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/me/licenseRequests' -and $Body.productId -eq 'CFQ7TTC0H9MP' -and
            @($Body.Keys).Count -eq 1 -and $TargetObject -eq 'CFQ7TTC0H9MP'
        }
    }

    It 'Should send an offer type, the message and the other users when given' {
        $null = New-MSCommerceLicenseRequest -OfferType 'SaaS' -Message 'For the team.' -UserId 'u2', 'u3' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Body.offerType -eq 'SaaS' -and -not $Body.ContainsKey('productId') -and $Body.message -eq 'For the team.' -and
            (@($Body.userIds) -join ',') -eq 'u2,u3' -and $TargetObject -eq 'SaaS'
        }
    }

    It 'Should send one user as a list' {
        $null = New-MSCommerceLicenseRequest -ProductId 'CFQ7TTC0H9MP' -UserId 'u2' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Body.userIds -is [array] -and @($Body.userIds).Count -eq 1
        }
    }

    It 'Should request each piped product by its ProductId, and nothing with -WhatIf' {
        $decisions = @([pscustomobject]@{ ProductId = 'CFQ7TTC0H9MP'; Allowed = $false }, [pscustomobject]@{ ProductId = 'CFQ7TTC0HDB1'; Allowed = $false })
        $decisions | New-MSCommerceLicenseRequest -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        @($decisions | New-MSCommerceLicenseRequest -Confirm:$false).Count | Should -Be 2
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Body.productId -eq 'CFQ7TTC0HDB1' }
    }

    It 'Should refuse more than 19 other users (20 with the requester, the most of a request), and a message longer than 1000 characters, before any call' {
        { New-MSCommerceLicenseRequest -ProductId 'CFQ7TTC0H9MP' -UserId (1..20 | ForEach-Object -Process { "u$_" }) -Confirm:$false } | Should -Throw
        { New-MSCommerceLicenseRequest -ProductId 'CFQ7TTC0H9MP' -Message ('x' * 1001) -Confirm:$false } | Should -Throw
        { New-MSCommerceLicenseRequest -OfferType 'Apps' -Confirm:$false } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should report <ErrorCode> as a non-terminating error of category <Category> and request the next product' -ForEach @(
        @{ ErrorCode = 'LicenseRequestExists'; Category = 'InvalidOperation' }
        @{ ErrorCode = 'LicenseRequestNotNeeded'; Category = 'InvalidOperation' }
        @{ ErrorCode = 'OrganizationRequestProcess'; Category = 'InvalidOperation' }
        @{ ErrorCode = 'OnlyUsersRequest'; Category = 'PermissionDenied' }
    ) {
        # The mock's body reads the case's values from the script scope, as the other tests' mocks do.
        $script:refusal = New-MSCommerceTestErrorRecord -ErrorCode $ErrorCode -Category $Category -TargetObject 'CFQ7TTC0H9MP'
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Body.productId -eq 'CFQ7TTC0H9MP' } -MockWith {
            throw $script:refusal
        }
        $products = @([pscustomobject]@{ ProductId = 'CFQ7TTC0H9MP' }, [pscustomobject]@{ ProductId = 'CFQ7TTC0HDB1' })
        $result = @($products | New-MSCommerceLicenseRequest -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorCode*"
        $failures[0].CategoryInfo.Category | Should -Be $Category
        $failures[0].TargetObject | Should -Be 'CFQ7TTC0H9MP'
    }

    It 'Should have the parameter sets Product (default) and OfferType' {
        $command = Get-Command -Name 'New-MSCommerceLicenseRequest' -Module 'MSCommerce'
        @($command.ParameterSets | ForEach-Object -Process { $_.Name }) | Sort-Object | Should -Be @('OfferType', 'Product')
        $command.DefaultParameterSet | Should -Be 'Product'
        $command.Parameters['UserId'].ParameterSets['Product'].ValueFromPipelineByPropertyName | Should -BeFalse
    }
}
