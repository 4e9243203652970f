BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Update-MSCommerceProductPolicy' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            if ($Path -like '*/offerTypes/*') {
                return [pscustomobject]@{
                    policyId    = $PathParameter.policyId
                    policyValue = $Body.policyValue
                    scope       = 'OfferType'
                    scopeId     = $PathParameter.offerType
                    scopeValue  = 'Software as a Service'
                }
            }
            [pscustomobject]@{
                policyId    = $PathParameter.policyId
                policyValue = $Body.policyValue
                productId   = $PathParameter.productId
                productName = 'Power BI Pro'
                scope       = 'product'
            }
        }
    }

    Context 'Product' {
        It 'Should PUT {"policyValue":"Disabled"} to the product' {
            $null = Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Value 'Disabled'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'PUT' -and
                $Path -eq '/v1.0/policies/{policyId}/products/{productId}' -and
                $PathParameter.policyId -eq 'AllowSelfServicePurchase' -and
                $PathParameter.productId -eq 'CFQ7TTC0H9MP' -and
                $Body.policyValue -ceq 'Disabled' -and
                $ErrorContext -eq 'Failed to update product policy'
            }
        }

        It 'Should send the canonical spelling of a value typed in lower case' {
            $null = Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Value 'onlytrialswithoutpaymentmethod'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Body.policyValue -ceq 'OnlyTrialsWithoutPaymentMethod'
            }
        }

        It 'Should return the updated product as an MSCommerce.ProductPolicy with Microsoft''s property names' {
            $result = Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Value 'Disabled'
            $result.PSObject.TypeNames | Should -Contain 'MSCommerce.ProductPolicy'
            $result.PolicyId | Should -Be 'AllowSelfServicePurchase'
            $result.PolicyValue | Should -Be 'Disabled'
            $result.ProductName | Should -Be 'Power BI Pro'
            $result.ProductId | Should -Be 'CFQ7TTC0H9MP'
        }

        It 'Should write only the object to the pipeline and the status line to the information stream' {
            $pipeline = @(Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Value 'Disabled' 6>$null)
            $pipeline.Count | Should -Be 1
            $pipeline[0] | Should -Not -BeOfType [string]

            $everything = @(Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Value 'Disabled' 6>&1)
            $status = @($everything | Where-Object -FilterScript { $_ -is [System.Management.Automation.InformationRecord] })
            $status.Count | Should -Be 1
            [string]$status[0].MessageData | Should -Be 'Update policy product success'
        }

        It 'Should update every product of -ProductId' {
            $result = @(Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP', 'CFQ7TTC0HDB1' -Value 'Disabled')
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.productId -eq 'CFQ7TTC0HDB1' }
        }

        It 'Should pass -Token through' {
            $null = Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Value 'Enabled' -Token 'raw-jwt'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
        }
    }

    Context '-WhatIf and -Confirm' {
        It 'Should make no call with -WhatIf' {
            $result = Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Value 'Disabled' -WhatIf 6>$null
            $result | Should -BeNullOrEmpty
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should say "Updating product policy aborted" when the change is declined' {
            $everything = @(Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Value 'Disabled' -WhatIf 6>&1)
            $status = @($everything | Where-Object -FilterScript { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object -Process { [string]$_.MessageData })
            $status | Should -Contain 'Updating product policy aborted'
            $status | Should -Not -Contain 'Update policy product success'
        }

        It 'Should make no call for piped products with -WhatIf' {
            $products = @(
                [pscustomobject]@{ PolicyId = 'AllowSelfServicePurchase'; ProductId = 'CFQ7TTC0H9MP' }
                [pscustomobject]@{ PolicyId = 'AllowSelfServicePurchase'; ProductId = 'CFQ7TTC0HDB1' }
            )
            $products | Update-MSCommerceProductPolicy -Value 'Disabled' -WhatIf 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }

    Context '-Enabled, as in older scripts' {
        It 'Should map -Enabled <Given> to <Expected>' -ForEach @(
            @{ Given = $true; Expected = 'Enabled' }
            @{ Given = $false; Expected = 'Disabled' }
            @{ Given = 'True'; Expected = 'Enabled' }
            @{ Given = 'true'; Expected = 'Enabled' }
            @{ Given = 'FALSE'; Expected = 'Disabled' }
        ) {
            $null = Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Enabled $Given
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Body.policyValue -ceq $Expected }
        }

        It 'Should refuse -Enabled <Given> with Microsoft''s message and make no call' -ForEach @(
            @{ Given = 'yes' }
            @{ Given = '1' }
            @{ Given = 'Enabled' }
        ) {
            $result = Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP' -Enabled $Given -ErrorVariable failures -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $failures.Count | Should -Be 1
            $failures[0].Exception.Message | Should -BeExactly 'Value of $Enabled must be one of the following: $True, $true, $False, $false'
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidEnabledValue*'
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }

    Context 'Offer type' {
        It 'Should PUT to the offer type' {
            $result = Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -OfferType 'SaaS' -Value 'Disabled'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'PUT' -and $Path -eq '/v1.0/policies/{policyId}/offerTypes/{offerType}' -and $PathParameter.offerType -eq 'SaaS'
            }
            $result.PSObject.TypeNames | Should -Contain 'MSCommerce.OfferTypePolicy'
            $result.ScopeId | Should -Be 'SaaS'
        }

        It 'Should refuse OnlyTrialsWithoutPaymentMethod for an offer type before any call' {
            $null = Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -OfferType 'SaaS' -Value 'OnlyTrialsWithoutPaymentMethod' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyValueNotAllowed*'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }

    Context 'Pipeline' {
        It 'Should take PolicyId and ProductId from piped product objects' {
            $piped = @(
                [pscustomobject]@{ PolicyId = 'AllowSelfServicePurchase'; PolicyValue = 'Enabled'; ProductName = 'Power BI Pro'; ProductId = 'CFQ7TTC0H9MP' }
                [pscustomobject]@{ PolicyId = 'AllowSelfServicePurchase'; PolicyValue = 'Enabled'; ProductName = 'Project Plan 1'; ProductId = 'CFQ7TTC0HDB1' }
            )
            $result = @($piped | Update-MSCommerceProductPolicy -Value 'Disabled')
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter { $Method -eq 'PUT' -and $Body.policyValue -eq 'Disabled' }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.productId -eq 'CFQ7TTC0HDB1' }
        }

        It 'Should take the offer type from ScopeId of piped offer-type objects' {
            $piped = [pscustomobject]@{ PolicyId = 'AllowSelfServicePurchase'; PolicyValue = 'Enabled'; Scope = 'OfferType'; ScopeValue = 'Power BI Visuals'; ScopeId = 'POWERBIVISUALS' }
            $null = $piped | Update-MSCommerceProductPolicy -Value 'Disabled'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Path -eq '/v1.0/policies/{policyId}/offerTypes/{offerType}' -and $PathParameter.offerType -eq 'POWERBIVISUALS'
            }
        }

        It 'Should accept the output of Get-MSCommerceProductPolicies' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'GET' } -MockWith {
                [pscustomobject]@{
                    items = @(
                        [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; scope = 'product' }
                        [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = 'CFQ7TTC0LH2H'; productName = 'Power Apps per user'; scope = 'product' }
                    )
                }
            }
            $result = @(Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' | Update-MSCommerceProductPolicy -Value 'Disabled')
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter { $Method -eq 'PUT' }
        }
    }

    Context 'Failures' {
        It 'Should report an empty answer as EmptyResponse for that product and go on with the next one' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.productId -eq 'EMPTY' } -MockWith { $null }
            $result = @(Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'EMPTY', 'CFQ7TTC0H9MP' -Value 'Disabled' -ErrorVariable failures -ErrorAction SilentlyContinue 6>$null)
            $result.Count | Should -Be 1
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'EmptyResponse*'
        }

        It 'Should report a failed product as a non-terminating error and go on with the next one' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.productId -eq 'NOPE' } -MockWith {
                $exception = New-Object -TypeName System.Management.Automation.ItemNotFoundException -ArgumentList "Failed to update product policy, ErrorMessage - 404 ErrorDetails - {`"errorCode`":`"ProductNotFound`"}"
                throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'ProductNotFound', 'ObjectNotFound', 'NOPE')
            }
            $result = @(Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'NOPE', 'CFQ7TTC0H9MP' -Value 'Disabled' -ErrorVariable failures -ErrorAction SilentlyContinue)
            $result.Count | Should -Be 1
            $result[0].ProductId | Should -Be 'CFQ7TTC0H9MP'
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ProductNotFound*'
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failures[0].Exception.Message | Should -BeLike 'Failed to update product policy, ErrorMessage - * ErrorDetails - *'
        }

        It 'Should stop at the first authentication failure' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                $exception = New-Object -TypeName System.UnauthorizedAccessException -ArgumentList 'Your credentials have expired. Please, call Connect-MSCommerce again to regain access to MSCommerce Module.'
                throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'TokenExpired', 'AuthenticationError', $null)
            }
            { Update-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP', 'CFQ7TTC0HDB1' -Value 'Disabled' } |
                Should -Throw -ExpectedMessage 'Your credentials have expired. Please, call Connect-MSCommerce again to regain access to MSCommerce Module.'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly
        }
    }
}
