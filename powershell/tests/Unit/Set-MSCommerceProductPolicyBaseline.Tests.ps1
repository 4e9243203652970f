BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Set-MSCommerceProductPolicyBaseline' {
    BeforeEach {
        # The current state: Power BI Pro and Power Apps Enabled, Project Plan 1 Disabled; SaaS Enabled,
        # Dynamics 365 Business Central Disabled.
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'GET' -and $Path -eq '/v1.0/policies/{policyId}/products' } -MockWith {
            if ($Query.scope -eq 'OfferType') {
                return [pscustomobject]@{
                    items = @(
                        [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; scope = 'OfferType'; scopeId = 'SaaS'; scopeValue = 'Software as a Service' }
                        [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Disabled'; scope = 'OfferType'; scopeId = 'DYNAMICSBC'; scopeValue = 'Dynamics 365 Business Central' }
                    )
                }
            }
            [pscustomobject]@{
                items = @(
                    [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; scope = 'product' }
                    [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = 'CFQ7TTC0LH2H'; productName = 'Power Apps per user'; scope = 'product' }
                    [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Disabled'; productId = 'CFQ7TTC0HDB1'; productName = 'Project Plan 1'; scope = 'product' }
                )
            }
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'GET' -and $Path -eq '/v1.0/policies/{policyId}/products/{productId}' } -MockWith {
            if ($PathParameter.productId -eq 'CFQ7TTC0L3PB') {
                # The old ID of Power BI Pro.
                return [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; scope = 'product' }
            }
            $exception = New-Object -TypeName System.Management.Automation.ItemNotFoundException -ArgumentList 'not found'
            throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'ProductNotFound', 'ObjectNotFound', $PathParameter.productId)
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PUT' } -MockWith {
            [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = $Body.policyValue; productId = $PathParameter.productId; scope = 'product' }
        }
        # The multi-value write: every value sent changed (from Enabled, which is what the tests ask to change).
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PATCH' } -MockWith {
            $changed = @(foreach ($value in $Body.values) {
                    if ($value.ContainsKey('offerType')) {
                        [pscustomobject]@{ scope = 'OfferType'; id = $value.offerType; name = $value.offerType; previousValue = 'Enabled'; policyValue = $value.policyValue; etag = '"5"' }
                    }
                    else {
                        [pscustomobject]@{ scope = 'product'; id = $value.productId; name = $value.productId; previousValue = 'Enabled'; policyValue = $value.policyValue; etag = '"5"' }
                    }
                })
            [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; correlationId = 'c-1'; changed = $changed; unchanged = @() }
        }
    }

    It 'Should change only the products that differ from the baseline, in one request' {
        $changes = @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -Exception @{ 'CFQ7TTC0LH2H' = 'Enabled' })
        $changes.Count | Should -Be 1
        $changes[0].PSObject.TypeNames | Should -Contain 'MSCommerce.BaselineChange'
        $changes[0].TargetId | Should -Be 'CFQ7TTC0H9MP'
        $changes[0].OldValue | Should -Be 'Enabled'
        $changes[0].NewValue | Should -Be 'Disabled'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'PATCH' -and
            $Path -eq '/v1.0/policies/{policyId}/products' -and
            $PathParameter.policyId -eq 'AllowSelfServicePurchase' -and
            @($Body.values).Count -eq 1 -and
            $Body.values[0].productId -eq 'CFQ7TTC0H9MP' -and
            $Body.values[0].policyValue -eq 'Disabled'
        }
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Method -eq 'PUT' }
    }

    It 'Should send every change of products and offer types together' {
        $changes = @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -IncludeOfferTypes)
        @($changes | ForEach-Object -Process { $_.TargetId } | Sort-Object) | Should -Be @('CFQ7TTC0H9MP', 'CFQ7TTC0LH2H', 'SaaS')
        ($changes | Where-Object -Property TargetId -EQ 'SaaS').Scope | Should -Be 'OfferType'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'PATCH' -and @($Body.values).Count -eq 3 -and
            @($Body.values | Where-Object -FilterScript { $_.offerType -eq 'SaaS' -and $_.policyValue -eq 'Disabled' -and -not $_.ContainsKey('productId') }).Count -eq 1
        }
    }

    It 'Should stop with the service''s refusal, naming the bad entries, and send nothing else' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PATCH' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'InvalidPolicyValues' -Category 'InvalidArgument' -Message 'Failed to apply the policy baseline, ErrorMessage - 400 ErrorDetails - {"errorCode":"InvalidPolicyValues","reason":"Nothing was written; 1 of 2 values cannot be set. values[0]: ..."}')
        }
        { Set-MSCommerceProductPolicyBaseline -DefaultValue 'OnlyTrialsWithoutPaymentMethod' } | Should -Throw -ErrorId 'InvalidPolicyValues*'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Method -eq 'PUT' }
    }

    It 'Should fall back to one PUT per value, with a warning, when the service answers <_> to the PATCH' -ForEach @('MethodNotAllowed', 'RouteNotFound', 'HttpStatus405', 'HttpStatus404') {
        $errorCode = $_
        # The mock's body runs in a new scope below the test's current one, so it sees $errorCode (Pester's
        # src/functions/Mock.ps1, ExecuteBehavior: the body keeps the test's session state and is called with &).
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PATCH' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode $errorCode -Category 'InvalidOperation')
        }
        $changes = @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -WarningVariable warnings -WarningAction SilentlyContinue)
        $changes.Count | Should -Be 2
        @($warnings).Count | Should -Be 1
        [string]$warnings[0] | Should -BeLike "*does not set several values at once ($errorCode)*"
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter { $Method -eq 'PUT' -and $Body.policyValue -eq 'Disabled' }
    }

    It 'Should change nothing and write nothing when the state already matches' {
        $changes = Set-MSCommerceProductPolicyBaseline -DefaultValue 'Enabled' -Exception @{ 'CFQ7TTC0HDB1' = 'Disabled' }
        $changes | Should -BeNullOrEmpty
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Method -eq 'PUT' -or $Method -eq 'PATCH' }
    }

    It 'Should only read with -WhatIf' {
        $changes = Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -WhatIf
        $changes | Should -BeNullOrEmpty
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Method -eq 'PUT' -or $Method -eq 'PATCH' }
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Method -eq 'GET' }
    }

    It 'Should bring offer types to -OfferTypeValue with -IncludeOfferTypes' {
        $changes = @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'OnlyTrialsWithoutPaymentMethod' -Exception @{ 'CFQ7TTC0H9MP' = 'Enabled'; 'CFQ7TTC0LH2H' = 'Enabled'; 'CFQ7TTC0HDB1' = 'Disabled' } -IncludeOfferTypes -OfferTypeValue 'Disabled')
        $changes.Count | Should -Be 1
        $changes[0].Scope | Should -Be 'OfferType'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'PATCH' -and @($Body.values).Count -eq 1 -and $Body.values[0].offerType -eq 'SaaS' -and $Body.values[0].policyValue -eq 'Disabled'
        }
    }

    It 'Should refuse OnlyTrialsWithoutPaymentMethod for offer types before any call' -ForEach @(
        @{ Case = 'default value'; Splat = @{ DefaultValue = 'OnlyTrialsWithoutPaymentMethod'; IncludeOfferTypes = $true } }
        @{ Case = 'exception'; Splat = @{ DefaultValue = 'Disabled'; Exception = @{ 'SaaS' = 'OnlyTrialsWithoutPaymentMethod' }; IncludeOfferTypes = $true } }
    ) {
        { Set-MSCommerceProductPolicyBaseline @Splat } | Should -Throw -ErrorId 'PolicyValueNotAllowed*'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should refuse an exception value that is not a policy value before any call' {
        { Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -Exception @{ 'CFQ7TTC0H9MP' = 'Maybe' } } | Should -Throw -ErrorId 'InvalidPolicyValue*'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should map an old product ID of an exception to the current one' {
        $changes = @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -Exception @{ 'CFQ7TTC0L3PB' = 'Enabled'; 'CFQ7TTC0LH2H' = 'Enabled' })
        $changes | Should -BeNullOrEmpty
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Method -eq 'PUT' -or $Method -eq 'PATCH' }
    }

    It 'Should refuse an exception naming no product, before any change' {
        { Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -Exception @{ 'CFQ7TYPO0000' = 'Enabled' } } | Should -Throw -ErrorId 'ExceptionTargetNotFound*'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Method -eq 'PUT' -or $Method -eq 'PATCH' }
    }

    It 'Should report a refused change and go on with the others, when it falls back to one PUT per value' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PATCH' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'MethodNotAllowed' -Category 'InvalidOperation')
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PUT' -and $PathParameter.productId -eq 'CFQ7TTC0H9MP' } -MockWith {
            $exception = New-Object -TypeName System.ArgumentException -ArgumentList 'Failed to update product policy, ErrorMessage - 400 ErrorDetails - {"errorCode":"PolicyValueNotAllowed"}'
            throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'PolicyValueNotAllowed', 'InvalidArgument', 'CFQ7TTC0H9MP')
        }
        $changes = @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'OnlyTrialsWithoutPaymentMethod' -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $changes.Count | Should -Be 2
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyValueNotAllowed*'
    }
}

Describe 'Set-MSCommerceProductPolicyBaseline -TenantId' {
    BeforeEach {
        # Every customer starts with everything Enabled; the token names the customer it is for.
        Mock -ModuleName 'MSCommerce' -CommandName 'Get-MSCommerceTenantToken' -MockWith {
            if ($TenantId -eq 'no-relationship.example') {
                $exception = New-Object -TypeName System.UnauthorizedAccessException -ArgumentList 'The account is of another organization, which has no active delegated admin relationship with the organization.'
                throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'invalid_grant', 'AuthenticationError', $TenantId)
            }
            "token-for-$TenantId"
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'GET' -and $Path -eq '/v1.0/policies/{policyId}/products' } -MockWith {
            [pscustomobject]@{
                items = @(
                    [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = 'CFQ7TTC0MM8R'; productName = 'Microsoft 365 Copilot'; scope = 'product' }
                    [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; scope = 'product' }
                )
            }
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PATCH' } -MockWith {
            if ($Token -eq 'token-for-reader.example') {
                $exception = New-Object -TypeName System.UnauthorizedAccessException -ArgumentList 'may not do this'
                throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'Forbidden', 'PermissionDenied', 'AllowSelfServicePurchase')
            }
            $changed = @(foreach ($value in $Body.values) {
                    [pscustomobject]@{ scope = 'product'; id = $value.productId; name = $value.productId; previousValue = 'Enabled'; policyValue = $value.policyValue; etag = '"2"' }
                })
            [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; correlationId = "c-$Token"; changed = $changed; unchanged = @() }
        }
    }

    It 'Should apply the baseline to each customer with its own token, one request each, naming the customer in each change' {
        $changes = @(Set-MSCommerceProductPolicyBaseline -TenantId 'fabrikam.example', 'tailspin.example' -DefaultValue 'Enabled' -Exception @{ 'CFQ7TTC0MM8R' = 'Disabled' })
        $changes.Count | Should -Be 2
        @($changes | ForEach-Object -Process { $_.TenantId }) | Should -Be @('fabrikam.example', 'tailspin.example')
        $changes[0].TargetId | Should -Be 'CFQ7TTC0MM8R'
        $changes[0].NewValue | Should -Be 'Disabled'
        foreach ($tenant in 'fabrikam.example', 'tailspin.example') {
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'PATCH' -and $Token -eq "token-for-$tenant" -and @($Body.values).Count -eq 1
            }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'GET' -and $Token -eq "token-for-$tenant"
            }
        }
    }

    It 'Should take the customers from the pipeline by their TenantId' {
        $customers = @(
            [pscustomobject]@{ PSTypeName = 'MSCommerce.PartnerCustomer'; TenantId = 'fabrikam.example'; DisplayName = 'Fabrikam' }
            [pscustomobject]@{ PSTypeName = 'MSCommerce.PartnerCustomer'; TenantId = 'northwind.example'; DisplayName = 'Northwind' }
        )
        $changes = @($customers | Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled')
        $changes.Count | Should -Be 4
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Get-MSCommerceTenantToken' -Times 2 -Exactly
    }

    It 'Should report a customer that fails, saying why, and still serve the others' {
        $splatBaseline = @{
            TenantId      = 'no-relationship.example', 'reader.example', 'fabrikam.example'
            DefaultValue  = 'Disabled'
            ErrorVariable = 'failures'
            ErrorAction   = 'SilentlyContinue'
        }
        $changes = @(Set-MSCommerceProductPolicyBaseline @splatBaseline)
        @($changes | ForEach-Object -Process { $_.TenantId } | Select-Object -Unique) | Should -Be @('fabrikam.example')
        $failures.Count | Should -Be 2
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'invalid_grant*'
        $failures[0].TargetObject | Should -Be 'no-relationship.example'
        $failures[1].FullyQualifiedErrorId | Should -BeLike 'Forbidden*'
    }

    It 'Should print the diff of each customer with -WhatIf and change nothing' {
        $changes = Set-MSCommerceProductPolicyBaseline -TenantId 'fabrikam.example', 'tailspin.example' -DefaultValue 'Disabled' -WhatIf
        $changes | Should -BeNullOrEmpty
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Method -eq 'PATCH' -or $Method -eq 'PUT' }
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter { $Method -eq 'GET' }
    }
}

Describe 'Get-MSCommerceBaselinePlan' {
    It 'Should compare values case-insensitively' {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $current = @([pscustomobject]@{ PSTypeName = 'MSCommerce.ProductPolicy'; PolicyId = 'P'; PolicyValue = 'disabled'; ProductName = 'X'; ProductId = 'A' })
            $map = ConvertTo-MSCommerceBaselineException -Exception @{}
            @(Get-MSCommerceBaselinePlan -CurrentItem $current -DefaultValue 'Disabled' -OfferTypeValue 'Disabled' -Exception $map).Count | Should -Be 0
        }
    }
}
